import { app, output } from '@azure/functions';

const done = output.storageQueue({ queueName: '%BENCH_DONE_QUEUE%', connection: 'AzureWebJobsStorage' });

app.http('item', {
  methods: ['GET'],
  route: 'items/{id:int}',
  handler: (request) => ({ jsonBody: { id: request.params.id, ok: true } }),
});

/** Notes when the handler started, for enqueue → handler-start latency. */
app.storageQueue('latency', {
  queueName: '%BENCH_QUEUE%',
  connection: 'AzureWebJobsStorage',
  return: done,
  handler: (message) => ({ sentAt: message.sentAt, startedAt: Date.now() }),
});
