#!/bin/sh
# Installs the Quiesce guest agent on a Linux VM: the bundled agent, its config, its Ed25519 key, a systemd unit.
# Prints the agent's public key; enrol it with the service (`quiesce agents enroll --vm-id ... --public-key ...`).
#
# Usage (as root):
#   install-linux.sh --vm-id <VM resource id> --queue-service-url https://<account>.queue.core.windows.net \
#                    --service-public-key <base64url> [--client-id <user-assigned identity client id>] \
#                    [--bundle ./quiesce-agent.mjs] [--max-frozen-seconds 120]
set -eu

# For a dry run into a directory (tests): QUIESCE_ROOT=/tmp/x QUIESCE_NO_SYSTEMD=1
ROOT="${QUIESCE_ROOT:-}"

BUNDLE="$(dirname "$0")/quiesce-agent.mjs"
CLIENT_ID=""
MAX_FROZEN=120
VM_ID="" QUEUE_URL="" SERVICE_KEY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --vm-id) VM_ID="$2"; shift 2 ;;
    --queue-service-url) QUEUE_URL="$2"; shift 2 ;;
    --service-public-key) SERVICE_KEY="$2"; shift 2 ;;
    --client-id) CLIENT_ID="$2"; shift 2 ;;
    --bundle) BUNDLE="$2"; shift 2 ;;
    --max-frozen-seconds) MAX_FROZEN="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$VM_ID" ] && [ -n "$QUEUE_URL" ] && [ -n "$SERVICE_KEY" ] || { echo "--vm-id, --queue-service-url and --service-public-key are required" >&2; exit 2; }
[ -n "$ROOT" ] || [ "$(id -u)" -eq 0 ] || { echo "run as root (fsfreeze needs it)" >&2; exit 1; }
command -v node >/dev/null || { echo "Node.js 20 or newer is required (node not found)" >&2; exit 1; }
command -v fsfreeze >/dev/null || echo "warning: fsfreeze not found (util-linux); only scripts will be available" >&2

OPT="$ROOT/opt/quiesce-agent"
ETC="$ROOT/etc/quiesce-agent"
install -d -m 0755 "$OPT"
install -m 0644 "$BUNDLE" "$OPT/quiesce-agent.mjs"
# The freeze holder's small bundle (it starts inside the freeze); without it the agent's bundle holds the freeze.
HOLDER="$(dirname "$BUNDLE")/quiesce-freeze-holder.mjs"
[ -f "$HOLDER" ] && install -m 0644 "$HOLDER" "$OPT/quiesce-freeze-holder.mjs"
install -d -m 0700 "$ETC"
install -d -m 0755 "$ETC/scripts"

# The key is created once; a reinstall keeps it (and so the enrolment).
PUBLIC_KEY="$(node "$OPT/quiesce-agent.mjs" keygen --out "$ETC/agent.pem")"

CLIENT_LINE=""
[ -n "$CLIENT_ID" ] && CLIENT_LINE="  clientId: \"$CLIENT_ID\""
umask 077
cat > "$ETC/agent.yaml" <<YAML
# Written by install-linux.sh; see the README section "Guest agent" for every setting.
vmId: "$VM_ID"
auth:
  kind: managedIdentity
  queueServiceUrl: "$QUEUE_URL"
$CLIENT_LINE
servicePublicKey: "$SERVICE_KEY"
agentPrivateKeyFile: $ETC/agent.pem
scriptsDirectory: $ETC/scripts
fsfreeze:
  lockFile: /run/quiesce-agent/freeze.lock
  excludeMounts: [/mnt]   # the Azure resource (temporary) disk
limits:
  maxFrozenSeconds: $MAX_FROZEN
YAML

if [ -z "${QUIESCE_NO_SYSTEMD:-}" ]; then
  install -m 0644 "$(dirname "$0")/quiesce-agent.service" /etc/systemd/system/quiesce-agent.service
  systemctl daemon-reload
  systemctl enable --now quiesce-agent.service
fi

echo "Command queue: $(node "$OPT/quiesce-agent.mjs" queue-name --vm-id "$VM_ID")"
echo "Agent public key (enrol it with the service):"
echo "$PUBLIC_KEY"
