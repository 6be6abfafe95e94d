import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAppUrlMatcher } from './createAppUrlMatcher';

const INDEX = path.resolve('/opt/Veil/resources/app.asar/out/renderer/index.html');
const INDEX_URL = new URL(`file://${INDEX.split(path.sep).join('/')}`).href;

describe('createAppUrlMatcher', () => {
  const packaged = createAppUrlMatcher({ rendererIndexPath: INDEX });

  it('accepts exactly the renderer index over file:, with any query or fragment', () => {
    expect(packaged(INDEX_URL)).toBe(true);
    expect(packaged(`${INDEX_URL}#/chats/1`)).toBe(true);
    expect(packaged(`${INDEX_URL}?x=1`)).toBe(true);
  });

  it('refuses look-alikes, other files, other schemes and garbage', () => {
    expect(packaged(`${INDEX_URL}.evil`)).toBe(false);
    expect(packaged(INDEX_URL.replace('index.html', 'other.html'))).toBe(false);
    expect(packaged(INDEX_URL.replace('file:///', 'file://remote-host/'))).toBe(false);
    expect(packaged('https://veil.example/index.html')).toBe(false);
    expect(packaged('not a url')).toBe(false);
  });

  it('in development accepts the dev server origin only', () => {
    const dev = createAppUrlMatcher({ rendererIndexPath: INDEX, devServerUrl: 'http://localhost:5173/' });
    expect(dev('http://localhost:5173/')).toBe(true);
    expect(dev('http://localhost:5173/src/main.tsx')).toBe(true);
    expect(dev('http://localhost:5174/')).toBe(false);
    expect(dev('http://localhost.evil.example:5173/')).toBe(false);
    expect(dev(INDEX_URL)).toBe(false);
  });
});
