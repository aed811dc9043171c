import { describe, expect, it } from 'vitest';
import { commandOption } from './words.ts';

describe('commandOption: one reading of an option in command words, for every kind', () => {
  it('reads the four forms, with the words it came from', () => {
    expect(commandOption(['gunicorn', '--workers', '4'], 'workers', 'w')).toEqual({ raw: '4', shown: '--workers 4' });
    expect(commandOption(['gunicorn', '--workers=4'], 'workers', 'w')).toEqual({ raw: '4', shown: '--workers=4' });
    expect(commandOption(['puma', '-w3'], 'workers', 'w')).toEqual({ raw: '3', shown: '-w3' });
    expect(commandOption(['puma', '-w', '3'], 'workers', 'w')).toEqual({ raw: '3', shown: '-w 3' });
  });
  it('the last one wins, as the servers read them', () => {
    expect(commandOption(['-w', '2', '--workers=5'], 'workers', 'w')?.raw).toBe('5');
  });
  it('a flag with no value after it, or another option, is not read', () => {
    expect(commandOption(['gunicorn', '-w'], 'workers', 'w')).toBeNull();
    expect(commandOption(['gunicorn', '--threads', '2'], 'workers', 'w')).toBeNull();
    expect(commandOption(['gunicorn', '--workersx=2'], 'workers', 'w')).toBeNull();
  });
});
