import { createRedemptionGuard } from '@users-sync/api/http/onboarding/redemption-guard';

/** A clock the test moves, and a sleep that records how long each answer was held. */
function fakeTime() {
  let now = 1_000_000;
  const held: number[] = [];
  return {
    now: () => now,
    advance: (ms: number) => (now += ms),
    held,
    sleep: async (ms: number) => {
      held.push(ms);
      now += ms;
    },
  };
}

describe('opening an onboarding link: pacing and throttling', () => {
  it('holds a refusal and an acceptance until the same instant after the request began, whatever the work took', async () => {
    const time = fakeTime();
    const guard = createRedemptionGuard({ paceMs: 250, now: time.now, sleep: time.sleep });

    const right = guard.begin('10.0.0.1');
    time.advance(40); // finding the link, writing its opening, signing a session
    await right.settle('accepted');
    const wrong = guard.begin('10.0.0.1');
    time.advance(5); // finding nothing
    await wrong.settle('refused');

    // Both answers leave 250 ms after their request began.
    expect(time.held).toEqual([210, 245]);
  });

  it('refuses every attempt from an address past ten refusals, right secret included, until the window ends', async () => {
    const time = fakeTime();
    const guard = createRedemptionGuard({ maxFailures: 10, windowMs: 15 * 60_000, paceMs: 0, now: time.now, sleep: time.sleep });
    for (let i = 0; i < 10; i += 1) {
      const attempt = guard.begin('10.0.0.2');
      expect(attempt.retryAfterSeconds).toBeNull();
      await attempt.settle('refused');
    }
    expect(guard.begin('10.0.0.2').retryAfterSeconds).toBe(15 * 60);
    // Another address is not held back by this one's guesses.
    expect(guard.begin('10.0.0.3').retryAfterSeconds).toBeNull();
    time.advance(10 * 60_000);
    expect(guard.begin('10.0.0.2').retryAfterSeconds).toBe(5 * 60);
    time.advance(5 * 60_000);
    expect(guard.begin('10.0.0.2').retryAfterSeconds).toBeNull();
  });

  it('does not count accepted openings against the address', async () => {
    const time = fakeTime();
    const guard = createRedemptionGuard({ maxFailures: 2, paceMs: 0, now: time.now, sleep: time.sleep });
    for (let i = 0; i < 5; i += 1) await guard.begin('10.0.0.4').settle('accepted');
    expect(guard.begin('10.0.0.4').retryAfterSeconds).toBeNull();
  });
});
