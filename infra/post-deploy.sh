#!/usr/bin/env bash
# After the infrastructure (infra/main.json) and the code (npm run package) are deployed: subscribes each
# blob-triggered function (source: 'EventGrid') to the storage account's BlobCreated events through the Event Grid
# system topic. The webhook needs the Functions host's `blobs_extension` system key, which exists only once the host
# has started with the code, so this cannot be part of the template. Safe to run again (after a key rotation too).
#
#   infra/post-deploy.sh <resource group> [<deployment name, default: main>]
set -euo pipefail

RESOURCE_GROUP="${1:?usage: infra/post-deploy.sh <resource group> [<deployment name>]}"
DEPLOYMENT="${2:-main}"

# The blob-triggered functions and the container each watches (test/infra checks this list against functions/).
BLOB_TRIGGERS=(
  "companion-media-check:companions"
  "knowledge-file-ingest:knowledge"
)

output() {
  az deployment group show --resource-group "$RESOURCE_GROUP" --name "$DEPLOYMENT" \
    --query "properties.outputs.$1.value" --output tsv
}

APP="$(output functionAppName)"
TOPIC="$(output eventGridSystemTopicName)"
HOST_NAME="$(az functionapp show --resource-group "$RESOURCE_GROUP" --name "$APP" --query defaultHostName --output tsv)"

echo "Waiting for the blobs_extension key of $APP (the host creates it when it first starts with the code)..."
KEY=""
for _ in $(seq 1 30); do
  KEY="$(az functionapp keys list --resource-group "$RESOURCE_GROUP" --name "$APP" \
    --query "systemKeys.blobs_extension" --output tsv 2>/dev/null || true)"
  [ -n "$KEY" ] && break
  # Any request wakes the host; /health is anonymous.
  curl --silent --output /dev/null --max-time 30 "https://$HOST_NAME/health" || true
  sleep 10
done
if [ -z "$KEY" ]; then
  echo "No blobs_extension key: is the package deployed and the host running? (az functionapp log deployment show)" >&2
  exit 1
fi

for entry in "${BLOB_TRIGGERS[@]}"; do
  FUNCTION="${entry%%:*}"
  CONTAINER="${entry##*:}"
  echo "Subscribing $FUNCTION to BlobCreated in $CONTAINER"
  # The key is part of the endpoint URL; Event Grid keeps it and never shows it back in full.
  az eventgrid system-topic event-subscription create \
    --resource-group "$RESOURCE_GROUP" \
    --system-topic-name "$TOPIC" \
    --name "$FUNCTION" \
    --endpoint-type webhook \
    --endpoint "https://$HOST_NAME/runtime/webhooks/blobs?functionName=Host.Functions.$FUNCTION&code=$KEY" \
    --included-event-types Microsoft.Storage.BlobCreated \
    --subject-begins-with "/blobServices/default/containers/$CONTAINER/" \
    --event-delivery-schema eventgridschema \
    --max-delivery-attempts 30 \
    --event-ttl 1440 \
    --output none
done
echo "Done: ${#BLOB_TRIGGERS[@]} event subscriptions on $TOPIC."
