/** Azure queue naming rules: 3-63 characters, lowercase letters, digits and single hyphens, alphanumeric at both ends. */
export function assertValidQueueName(name: string): void {
  if (!/^[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$/.test(name)) {
    throw new Error(
      `"${name}" is not a valid queue name: use 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.`,
    );
  }
}
