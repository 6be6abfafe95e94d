import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultVeilHome, getVeilPaths } from './veilPaths';

describe('getVeilPaths', () => {
  it('puts every path under VEIL_HOME when it is set', () => {
    const paths = getVeilPaths({ VEIL_HOME: '/tmp/veil-x' }, 'linux');
    expect(paths.home).toBe('/tmp/veil-x');
    for (const value of Object.values(paths)) expect(value.startsWith('/tmp/veil-x')).toBe(true);
    expect(paths.models).toBe(path.join('/tmp/veil-x', 'models'));
  });

  it('follows each platform convention when VEIL_HOME is unset or empty', () => {
    expect(defaultVeilHome({}, 'darwin', '/Users/a')).toBe(
      path.join('/Users/a', 'Library', 'Application Support', 'Veil'),
    );
    expect(defaultVeilHome({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32', 'C:\\Users\\a')).toBe(
      path.join('C:\\Users\\a\\AppData\\Roaming', 'Veil'),
    );
    expect(defaultVeilHome({ XDG_DATA_HOME: '/x/data' }, 'linux', '/home/a')).toBe(
      path.join('/x/data', 'veil'),
    );
    expect(defaultVeilHome({}, 'linux', '/home/a')).toBe(path.join('/home/a', '.local', 'share', 'veil'));
    expect(getVeilPaths({ VEIL_HOME: '' }, 'linux').home).not.toBe('');
  });
});
