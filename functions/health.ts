import { app } from '@azure/functions';

/** Liveness of the Quiesce app: answers 200 with the app's name and version. */
app.http('health', {
  methods: ['GET'],
  route: 'health',
  handler: () => ({
    status: 200,
    jsonBody: { status: 'ok', app: 'quiesce', version: process.env.npm_package_version ?? '0.1.0' },
  }),
});
