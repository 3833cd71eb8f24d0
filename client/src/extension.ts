// The VS Code client comes with the editor issue; this keeps the client project buildable.
export function activate(): void {}
export function deactivate(): void {}
