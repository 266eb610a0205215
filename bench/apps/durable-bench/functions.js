import * as df from 'durable-functions';

df.app.activity('noop', { handler: () => null });

df.app.orchestration('chain', function* (context) {
  const steps = context.df.getInput();
  for (let i = 0; i < steps; i++) yield context.df.callActivity('noop', i);
  return steps;
});

df.app.orchestration('fanOut', function* (context) {
  const count = context.df.getInput();
  yield context.df.Task.all(Array.from({ length: count }, (_, i) => context.df.callActivity('noop', i)));
  return count;
});

df.app.orchestration('fiveSteps', function* (context) {
  for (let i = 0; i < 5; i++) yield context.df.callActivity('noop', i);
  return 5;
});

/** Resumes on each 'ping' event and keeps the time it resumed (its episode's currentUtcDateTime). */
df.app.orchestration('pingPong', function* (context) {
  const count = context.df.getInput();
  const resumedAt = [];
  for (let i = 0; i < count; i++) {
    yield context.df.waitForExternalEvent('ping');
    resumedAt.push(context.df.currentUtcDateTime.getTime());
    context.df.setCustomStatus(resumedAt.length);
  }
  return resumedAt;
});
