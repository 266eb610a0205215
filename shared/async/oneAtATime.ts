/**
 * A queue of one: each task given to the returned function starts once every task given before it has settled, in the
 * order given. A task that fails rejects its own call only; the next one still runs.
 */
export function oneAtATime(): <T>(task: () => Promise<T>) => Promise<T> {
  let last: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const run = last.then(task);
    last = run.catch(() => undefined);
    return run;
  };
}
