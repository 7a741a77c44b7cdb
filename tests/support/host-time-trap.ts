/** Runs `body` with Date.now, Math.random and performance.now replaced by traps that throw. */
export function withoutHostTimeOrRandomness<T>(body: () => T): T {
  /* eslint-disable no-restricted-properties -- this replaces them with traps */
  const saved = { now: Date.now, random: Math.random, perf: performance.now };
  const trap = () => {
    throw new Error("the emulator read host time or host randomness");
  };
  Date.now = trap;
  Math.random = trap;
  performance.now = trap;
  try {
    return body();
  } finally {
    Date.now = saved.now;
    Math.random = saved.random;
    performance.now = saved.perf;
  }
  /* eslint-enable no-restricted-properties */
}
