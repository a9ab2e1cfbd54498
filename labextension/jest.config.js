// Jest on the JupyterLab preset: it supplies the jsdom environment and the babel
// transform that makes the ES-module @jupyterlab/* and @lumino/* packages importable.
const jestJupyterLab = require('@jupyterlab/testing/lib/jest-config');

const esModules = [
  '@codemirror',
  '@jupyter/',
  '@jupyterlab/',
  '@lumino/',
  '@microsoft',
  'exenv-es6',
  'lib0',
  'nanoid',
  'vscode-ws-jsonrpc',
  'y-protocols',
  'y-websocket',
  'yjs',
  'yaml'
].join('|');

const base = jestJupyterLab(__dirname);

module.exports = {
  ...base,
  automock: false,
  testRegex: 'src/(.+/)?__tests__/.*\\.spec\\.tsx?$',
  reporters: ['default'],
  transformIgnorePatterns: [`/node_modules/(?!${esModules}).+`]
};
