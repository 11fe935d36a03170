export { TABLES_PATH, PACKAGE_DIR } from './paths.js';
