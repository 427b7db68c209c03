#!/usr/bin/env bash
# Register confbot in the council's Microsoft Entra tenant, with the least privilege it needs.
#
# A council administrator runs this once, signed in with `az login` as a Global
# Administrator or Privileged Role Administrator (admin consent needs one). It is safe to
# run again: it finds what already exists. It was written for the confbot README's
# "Connecting a real tenant"; read that section first.
#
#   infra/entra/register-app.sh --name confbot --cert-file confbot-graph.crt
#   infra/entra/register-app.sh --name confbot --keyvault kv-confbot-abc --lobby
#   infra/entra/register-app.sh --name confbot --managed-identity <principal-id>
#
# Options:
#   --name NAME                display name of the app registration (default: confbot)
#   --cert-file FILE           upload this public certificate (PEM or DER .crt/.cer) as the
#                              Graph credential; keep the private key on the confbot host
#   --keyvault VAULT           create the Graph certificate in this Key Vault instead, and keep
#                              the bot's client secret there too
#   --managed-identity ID      grant the Graph permissions to this managed identity's service
#                              principal (hosting in Azure) instead of an app registration
#   --lobby                    also grant OnlineMeetings.ReadWrite.All (lobby options)
#                              (lobby options and attendance reports both need the Teams
#                              policy in application-access-policy.ps1)
#   --sites-selected SITE_ID   minutes library: grant Sites.Selected and write access to this
#                              one SharePoint site (recommended) instead of Files.ReadWrite.All
#   --user-read                also grant User.Read.All (only if chairs are looked up by name)
#   --no-attendance            do not grant OnlineMeetingArtifact.Read.All (Teams attendance
#                              reports for the minutes); set CONFBOT_GRAPH__ATTENDANCE_REPORTS=false
#   --no-bot                   do not create the bot's own app registration
#   --dry-run                  print what would change, change nothing
set -euo pipefail

GRAPH_APP_ID="00000003-0000-0000-c000-000000000000"  # Microsoft Graph, the same in every tenant

name="confbot"
cert_file=""
keyvault=""
managed_identity=""
lobby=false
site_id=""
user_read=false
attendance=true
bot=true
dry_run=false

die() { echo "register-app: $*" >&2; exit 2; }
say() { echo "== $*"; }
# Changes go through `change`, so --dry-run can show them without making them.
change() {
  if $dry_run; then
    printf 'would run:'; printf ' %q' "$@"; printf '\n'
  else
    "$@"
  fi
}

while [ $# -gt 0 ]; do
  case "$1" in
    --name) name="${2:?--name needs a value}"; shift 2 ;;
    --cert-file) cert_file="${2:?--cert-file needs a file}"; shift 2 ;;
    --keyvault) keyvault="${2:?--keyvault needs a vault name}"; shift 2 ;;
    --managed-identity) managed_identity="${2:?--managed-identity needs a principal id}"; shift 2 ;;
    --lobby) lobby=true; shift ;;
    --sites-selected) site_id="${2:?--sites-selected needs a site id}"; shift 2 ;;
    --user-read) user_read=true; shift ;;
    --no-attendance) attendance=false; shift ;;
    --no-bot) bot=false; shift ;;
    --dry-run) dry_run=true; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

command -v az >/dev/null || die "the Azure CLI (az) is not installed"
if [ -n "$cert_file" ] && [ ! -f "$cert_file" ]; then die "no such certificate file: $cert_file"; fi
if [ -z "$managed_identity" ] && [ -z "$cert_file" ] && [ -z "$keyvault" ]; then
  die "give --cert-file, --keyvault or --managed-identity: confbot does not use a client secret for Graph"
fi

tenant_id=$(az account show --query tenantId -o tsv) || die "sign in first: az login"
say "tenant $tenant_id"

# The application permissions (app roles) confbot needs, each for the reason in the README.
permissions=(Calendars.ReadWrite Mail.ReadWrite Mail.Send)
if [ -n "$site_id" ]; then permissions+=(Sites.Selected); else permissions+=(Files.ReadWrite.All); fi
if $lobby; then permissions+=(OnlineMeetings.ReadWrite.All); fi
if $attendance; then permissions+=(OnlineMeetingArtifact.Read.All); fi
if $user_read; then permissions+=(User.Read.All); fi

graph_sp_id=$(az ad sp show --id "$GRAPH_APP_ID" --query id -o tsv)
role_id() {
  az ad sp show --id "$GRAPH_APP_ID" \
    --query "appRoles[?value=='$1' && contains(allowedMemberTypes, 'Application')].id | [0]" -o tsv
}

if [ -n "$managed_identity" ]; then
  # A managed identity has no app registration: its service principal gets the app roles.
  say "granting Graph application permissions to managed identity $managed_identity"
  principal_id="$managed_identity"
  for permission in "${permissions[@]}"; do
    say "  $permission"
    change az rest --method POST \
      --url "https://graph.microsoft.com/v1.0/servicePrincipals/$principal_id/appRoleAssignments" \
      --body "{\"principalId\":\"$principal_id\",\"resourceId\":\"$graph_sp_id\",\"appRoleId\":\"$(role_id "$permission")\"}"
  done
  app_id=$(az ad sp show --id "$principal_id" --query appId -o tsv)
else
  app_id=$(az ad app list --display-name "$name" --query "[0].appId" -o tsv)
  if [ -z "$app_id" ]; then
    say "creating app registration $name (this organisation only)"
    if $dry_run; then
      app_id="00000000-0000-0000-0000-000000000000"
      echo "would run: az ad app create --display-name $name --sign-in-audience AzureADMyOrg"
    else
      app_id=$(az ad app create --display-name "$name" --sign-in-audience AzureADMyOrg --query appId -o tsv)
    fi
  else
    say "found app registration $name: $app_id"
  fi
  if [ -z "$(az ad sp list --filter "appId eq '$app_id'" --query "[0].id" -o tsv)" ]; then
    change az ad sp create --id "$app_id"
  fi

  say "requesting Graph application permissions: ${permissions[*]}"
  for permission in "${permissions[@]}"; do
    change az ad app permission add --id "$app_id" --api "$GRAPH_APP_ID" \
      --api-permissions "$(role_id "$permission")=Role"
  done
  say "granting admin consent"
  change az ad app permission admin-consent --id "$app_id"

  # A certificate, never a client secret: it cannot be copied out of a config file by
  # mistake, and Key Vault can renew it.
  if [ -n "$cert_file" ]; then
    say "uploading the Graph certificate $cert_file"
    change az ad app credential reset --id "$app_id" --cert "@$cert_file" --append
  else
    say "creating the Graph certificate confbot-graph in Key Vault $keyvault"
    change az ad app credential reset --id "$app_id" --create-cert \
      --keyvault "$keyvault" --cert confbot-graph --append
  fi
fi

if [ -n "$site_id" ]; then
  # Sites.Selected gives access to no site until one is granted. This call needs the signed-in
  # admin to hold Sites.FullControl.All; if az is refused, use PnP PowerShell instead:
  #   Grant-PnPAzureADAppSitePermission -AppId <app id> -DisplayName confbot -Site <url> -Permissions Write
  say "granting write access to the minutes site $site_id"
  change az rest --method POST --url "https://graph.microsoft.com/v1.0/sites/$site_id/permissions" \
    --body "{\"roles\":[\"write\"],\"grantedToIdentities\":[{\"application\":{\"id\":\"$app_id\",\"displayName\":\"$name\"}}]}"
fi

bot_app_id=""
if $bot; then
  # The Teams bot gets an app registration of its own with no Graph permission at all, so the
  # bot's credential can never read mail or calendars.
  bot_name="$name-bot"
  bot_app_id=$(az ad app list --display-name "$bot_name" --query "[0].appId" -o tsv)
  if [ -z "$bot_app_id" ]; then
    say "creating the bot's app registration $bot_name"
    if $dry_run; then
      bot_app_id="00000000-0000-0000-0000-000000000001"
      echo "would run: az ad app create --display-name $bot_name --sign-in-audience AzureADMyOrg"
    else
      bot_app_id=$(az ad app create --display-name "$bot_name" --sign-in-audience AzureADMyOrg --query appId -o tsv)
      az ad sp create --id "$bot_app_id" >/dev/null
    fi
  else
    say "found the bot's app registration $bot_name: $bot_app_id"
  fi
  if [ -n "$keyvault" ] && ! $dry_run; then
    say "creating the bot's client secret and keeping it in Key Vault $keyvault as bot-app-password"
    secret=$(az ad app credential reset --id "$bot_app_id" --display-name confbot-bot --years 1 \
      --append --query password -o tsv)
    az keyvault secret set --vault-name "$keyvault" --name bot-app-password --value "$secret" >/dev/null
    unset secret
  else
    say "create the bot's client secret when you are ready to store it (it is shown once):"
    echo "  az ad app credential reset --id $bot_app_id --display-name confbot-bot --years 1 --append"
  fi
fi

if [ -n "$managed_identity" ]; then
  graph_settings="  CONFBOT_GRAPH__MANAGED_IDENTITY=true
  CONFBOT_GRAPH__MANAGED_IDENTITY_CLIENT_ID=$app_id"
else
  graph_settings="  CONFBOT_GRAPH__TENANT_ID=$tenant_id
  CONFBOT_GRAPH__CLIENT_ID=$app_id
  CONFBOT_GRAPH__CERTIFICATE_PATH=<the PEM file with the certificate and its private key>"
fi

cat <<DONE

Done. Settings for confbot:
$graph_settings
  CONFBOT_TEAMS__APP_ID=${bot_app_id:-<the bot app id>}
  CONFBOT_TEAMS__TENANT_ID=$tenant_id
Next: restrict mail (and, with --lobby, meetings) with infra/entra/application-access-policy.ps1,
then build the Teams app: confbot teams package --bot-id ${bot_app_id:-<bot app id>} --host <public host>
DONE
