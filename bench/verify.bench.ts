export { sections } from './verify';
