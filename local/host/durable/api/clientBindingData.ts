/** The management URL templates the extension hands out (HttpApiHandler), with `INSTANCEID` to fill in. */
export function managementUrls(webhookBase: string, instanceId: string, query: string): Record<string, string> {
  const instance = `${webhookBase}/instances/${instanceId}`;
  return {
    id: instanceId,
    statusQueryGetUri: `${instance}?${query}`,
    sendEventPostUri: `${instance}/raiseEvent/{eventName}?${query}`,
    terminatePostUri: `${instance}/terminate?reason={text}&${query}`,
    rewindPostUri: `${instance}/rewind?reason={text}&${query}`,
    purgeHistoryDeleteUri: `${instance}?${query}`,
    restartPostUri: `${instance}/restart?${query}`,
    suspendPostUri: `${instance}/suspend?reason={text}&${query}`,
    resumePostUri: `${instance}/resume?reason={text}&${query}`,
  };
}

export function webhookBase(hostUrl: string): string {
  return `${hostUrl}/runtime/webhooks/durabletask`;
}

export function hubQuery(hubName: string): string {
  return `taskHub=${encodeURIComponent(hubName)}&connection=Storage`;
}

/**
 * The durableClient input binding's value (BindingHelper). `rpcBaseUrl` makes the JS client use the simple RPC routes,
 * served by this host at `/durabletask/`.
 */
export function durableClientBindingData(hostUrl: string, hubName: string): string {
  const base = webhookBase(hostUrl);
  const query = hubQuery(hubName);
  return JSON.stringify({
    taskHubName: hubName,
    creationUrls: {
      createNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?${query}`,
      createAndWaitOnNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&${query}`,
    },
    managementUrls: managementUrls(base, 'INSTANCEID', query),
    baseUrl: base,
    requiredQueryStringParameters: query,
    rpcBaseUrl: `${hostUrl}/durabletask/`,
  });
}
