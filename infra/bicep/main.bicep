// confbot on Azure: Container Apps (two or more replicas), PostgreSQL Flexible Server,
// Key Vault for the Graph certificate and secrets, the Azure Bot with its Teams channel,
// and Log Analytics. Deploy into an empty resource group in a UK region:
//
//   az deployment group create -g rg-confbot -f infra/bicep/main.bicep \
//     -p namePrefix=confbot-xyz image=<registry>/confbot:0.1.0 botAppId=<guid> ...
//
// The Entra app registration, its Graph permissions and the Exchange policy are made by
// infra/entra/ (a council admin runs them); this template only refers to their ids.

targetScope = 'resourceGroup'

@description('Short prefix for resource names: lower-case letters, digits and hyphens.')
@minLength(3)
@maxLength(16)
param namePrefix string

@description('Azure region. UK South or UK West keeps the data in the UK.')
param location string = resourceGroup().location

@description('The confbot container image, e.g. myregistry.azurecr.io/confbot:0.1.0.')
param image string

@description('Entra tenant id of the council.')
param tenantId string = subscription().tenantId

@description('Application (client) id of confbot\'s Graph app registration (infra/entra/register-app.sh). Empty when Graph uses the managed identity.')
param graphClientId string = ''

@description('Use the user-assigned managed identity for Graph instead of a certificate.')
param graphUsesManagedIdentity bool = false

@description('Name of the Key Vault certificate holding the Graph certificate (PEM content type), when not using the managed identity.')
param graphCertificateName string = 'confbot-graph'

@description('The request mailbox, e.g. conference-requests@example.gov.uk.')
param requestMailbox string

@description('Microsoft app id of the bot (a single-tenant app registration).')
param botAppId string

@description('Public host name people and Teams use, e.g. confbot.example.gov.uk. Empty: the Container App\'s own host name.')
param publicHost string = ''

@description('Minimum number of confbot replicas. Two keeps it up when one dies; 1 until the failover test has landed (README).')
@minValue(1)
param minReplicas int = 2

@description('PostgreSQL administrator login (used only by confbot\'s own database role).')
param postgresAdminLogin string = 'confbot'

@description('PostgreSQL administrator password. Stored in Key Vault; never in the template output.')
@secure()
param postgresAdminPassword string

@description('Key for sign-in cookies, shared by every replica: at least 32 characters, e.g. openssl rand -base64 32.')
@minLength(32)
@secure()
param sessionSecret string

@description('The bot\'s client secret (Azure Bot app registration).')
@secure()
param botAppPassword string

@description('Days to keep logs in Log Analytics.')
@minValue(30)
param logRetentionDays int = 90

var suffix = uniqueString(resourceGroup().id, namePrefix)
var vaultName = take('kv-${namePrefix}-${suffix}', 24)
var appName = 'ca-${namePrefix}'
// A Container App's own address is its name under the environment's default domain.
var host = empty(publicHost) ? '${appName}.${environment.properties.defaultDomain}' : publicHost
var databaseName = 'confbot'
// Built-in role "Key Vault Secrets User": read secret values (a certificate's key too).
var secretsUserRole = '4633458b-17de-408a-b874-0445c86b69e6'

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${namePrefix}'
  location: location
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: logRetentionDays
  }
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-${namePrefix}'
  location: location
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: vaultName
  location: location
  properties: {
    tenantId: tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    // checkov:skip=CKV_AZURE_189: no VNet here: Container Apps on the consumption plan fetch secrets over the public endpoint. Entra RBAC (no access policies) guards the vault; add a VNet and private endpoint to close it.
    // checkov:skip=CKV_AZURE_109: a firewall would shut out Container Apps, which is not a trusted service that can bypass it; RBAC guards the vault.
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource vaultReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, 'secrets-user')
  scope: vault
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUserRole)
  }
}

resource postgresPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'postgres-password'
  // checkov:skip=CKV_AZURE_41: an expired secret cannot be read, so an expiry date would stop confbot on that day; rotate it instead (README, Operations).
  properties: {
    value: postgresAdminPassword
    contentType: 'text/plain'
  }
}

resource storeUrlSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'store-url'
  // checkov:skip=CKV_AZURE_41: an expired secret cannot be read, so an expiry date would stop confbot on that day; rotate it instead (README, Operations).
  properties: {
    value: 'postgresql+psycopg://${postgresAdminLogin}:${uriComponent(postgresAdminPassword)}@${postgres.properties.fullyQualifiedDomainName}:5432/${databaseName}?sslmode=require'
    contentType: 'text/plain'
  }
}

resource sessionSecretSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'session-secret'
  // checkov:skip=CKV_AZURE_41: an expired secret cannot be read, so an expiry date would stop confbot on that day; rotate it instead (README, Operations).
  properties: {
    value: sessionSecret
    contentType: 'text/plain'
  }
}

resource botPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'bot-app-password'
  // checkov:skip=CKV_AZURE_41: an expired secret cannot be read, so an expiry date would stop confbot on that day; rotate it instead (README, Operations).
  properties: {
    value: botAppPassword
    contentType: 'text/plain'
  }
}

resource postgres 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' = {
  name: 'psql-${namePrefix}-${suffix}'
  location: location
  sku: { name: 'Standard_B2s', tier: 'Burstable' }
  properties: {
    version: '16'
    administratorLogin: postgresAdminLogin
    administratorLoginPassword: postgresAdminPassword
    storage: { storageSizeGB: 32, autoGrow: 'Enabled' }
    backup: {
      backupRetentionDays: 35
      // Backups stay in the paired UK region too, for a regional outage.
      geoRedundantBackup: 'Enabled'
    }
    highAvailability: { mode: 'Disabled' }
    authConfig: { activeDirectoryAuth: 'Enabled', passwordAuth: 'Enabled', tenantId: tenantId }
    network: { publicNetworkAccess: 'Enabled' }
  }
}

resource postgresTls 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2024-08-01' = {
  parent: postgres
  name: 'require_secure_transport'
  properties: { value: 'on', source: 'user-override' }
}

resource postgresLogConnections 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2024-08-01' = {
  parent: postgres
  name: 'log_connections'
  properties: { value: 'on', source: 'user-override' }
  dependsOn: [postgresTls]
}

// The scheduler's leader holds an advisory lock on an open session. If its replica vanishes
// without closing the connection, these keepalives end the session, and free the lock, in
// about 25 s instead of the default of hours. Azure applies one setting at a time: chained.
resource postgresKeepaliveIdle 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2024-08-01' = {
  parent: postgres
  name: 'tcp_keepalives_idle'
  properties: { value: '10', source: 'user-override' }
  dependsOn: [postgresLogConnections]
}

resource postgresKeepaliveInterval 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2024-08-01' = {
  parent: postgres
  name: 'tcp_keepalives_interval'
  properties: { value: '5', source: 'user-override' }
  dependsOn: [postgresKeepaliveIdle]
}

resource postgresKeepaliveCount 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2024-08-01' = {
  parent: postgres
  name: 'tcp_keepalives_count'
  properties: { value: '3', source: 'user-override' }
  dependsOn: [postgresKeepaliveInterval]
}

// Only Azure services (the Container Apps' outbound addresses) may connect: the special
// 0.0.0.0 rule. With a VNet-integrated environment, use private access instead.
resource postgresAzureOnly 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2024-08-01' = {
  parent: postgres
  name: 'AllowAzureServices'
  properties: { startIpAddress: '0.0.0.0', endIpAddress: '0.0.0.0' }
}

resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2024-08-01' = {
  parent: postgres
  name: databaseName
  properties: { charset: 'UTF8', collation: 'en_GB.utf8' }
}

resource environment 'Microsoft.App/managedEnvironments@2024-03-01' = {
  name: 'cae-${namePrefix}'
  location: location
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: logs.properties.customerId
        sharedKey: logs.listKeys().primarySharedKey
      }
    }
  }
}

// /data: the admin sign-in token and uploads, shared by every replica (as the compose
// file's shared volume is). Records live in PostgreSQL, never here.
resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  // checkov:skip=CKV_AZURE_43: the name is computed (lower-case letters and digits, at most 24), which checkov cannot evaluate.
  // checkov:skip=CKV_AZURE_35: no VNet here: Container Apps mounts the share over the public endpoint with the account key. Add a VNet and private endpoint to close it.
  // checkov:skip=CKV_AZURE_59: public network access is needed for the same reason (no VNet); the account allows no anonymous blob access.
  name: take(toLower('st${replace(namePrefix, '-', '')}${suffix}'), 24)
  location: location
  kind: 'StorageV2'
  // Geo-zone-redundant: the share survives a zone and a regional outage.
  sku: { name: 'Standard_GZRS' }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    // Container Apps mounts Azure Files with the account key; no other use of it.
    allowSharedKeyAccess: true
    publicNetworkAccess: 'Enabled'
  }
}

resource files 'Microsoft.Storage/storageAccounts/fileServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: { shareDeleteRetentionPolicy: { enabled: true, days: 14 } }
}

resource dataShare 'Microsoft.Storage/storageAccounts/fileServices/shares@2023-05-01' = {
  parent: files
  name: 'data'
  properties: { shareQuota: 5 }
}

resource environmentStorage 'Microsoft.App/managedEnvironments/storages@2024-03-01' = {
  parent: environment
  name: 'data'
  properties: {
    azureFile: {
      accountName: storage.name
      accountKey: storage.listKeys().keys[0].value
      shareName: dataShare.name
      accessMode: 'ReadWrite'
    }
  }
}

var graphEnvManaged = [
  { name: 'CONFBOT_GRAPH__MANAGED_IDENTITY', value: 'true' }
  { name: 'CONFBOT_GRAPH__MANAGED_IDENTITY_CLIENT_ID', value: identity.properties.clientId }
]
var graphEnvCertificate = [
  { name: 'CONFBOT_GRAPH__TENANT_ID', value: tenantId }
  { name: 'CONFBOT_GRAPH__CLIENT_ID', value: graphClientId }
  { name: 'CONFBOT_GRAPH__CERTIFICATE_PATH', value: '/mnt/secrets/graph-certificate' }
]
var graphEnv = graphUsesManagedIdentity ? graphEnvManaged : graphEnvCertificate

// The image runs as uid 10001; SMB has no owners, so the mount sets them.
var dataVolume = {
  name: 'data'
  storageType: 'AzureFile'
  storageName: 'data'
  mountOptions: 'uid=10001,gid=10001,dir_mode=0700,file_mode=0600'
}

var vaultSecrets = [
  { name: 'store-url', keyVaultUrl: storeUrlSecret.properties.secretUri, identity: identity.id }
  { name: 'session-secret', keyVaultUrl: sessionSecretSecret.properties.secretUri, identity: identity.id }
  { name: 'bot-app-password', keyVaultUrl: botPasswordSecret.properties.secretUri, identity: identity.id }
]

// A Key Vault certificate's private key is read through the secret of the same name.
var certificateSecrets = [
  {
    name: 'graph-certificate'
    keyVaultUrl: '${vault.properties.vaultUri}secrets/${graphCertificateName}'
    identity: identity.id
  }
]
var secretsVolume = {
  name: 'secrets'
  storageType: 'Secret'
  secrets: [
    { secretRef: 'graph-certificate', path: 'graph-certificate' }
  ]
}
var appSecrets = graphUsesManagedIdentity ? vaultSecrets : concat(vaultSecrets, certificateSecrets)
var appVolumes = graphUsesManagedIdentity ? [dataVolume] : [dataVolume, secretsVolume]
var dataMount = { volumeName: 'data', mountPath: '/data' }
var secretsMount = { volumeName: 'secrets', mountPath: '/mnt/secrets' }
var appMounts = graphUsesManagedIdentity ? [dataMount] : [dataMount, secretsMount]

resource app 'Microsoft.App/containerApps@2024-03-01' = {
  name: appName
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    managedEnvironmentId: environment.id
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: {
        external: true
        targetPort: 8080
        transport: 'auto'
        allowInsecure: false
      }
      secrets: appSecrets
    }
    template: {
      containers: [
        {
          name: 'confbot'
          image: image
          resources: { cpu: json('0.5'), memory: '1Gi' }
          env: concat(graphEnv, [
            { name: 'CONFBOT_GRAPH__REQUEST_MAILBOX', value: requestMailbox }
            { name: 'CONFBOT_TEAMS__APP_ID', value: botAppId }
            { name: 'CONFBOT_TEAMS__TENANT_ID', value: tenantId }
            { name: 'CONFBOT_TEAMS__APP_PASSWORD', secretRef: 'bot-app-password' }
            { name: 'CONFBOT_STORE__URL', secretRef: 'store-url' }
            { name: 'CONFBOT_WEB__SESSION_SECRET', secretRef: 'session-secret' }
            { name: 'CONFBOT_WEB__PUBLIC_URL', value: 'https://${host}' }
          ])
          probes: [
            {
              type: 'Liveness'
              httpGet: { path: '/healthz', port: 8080 }
              periodSeconds: 15
            }
            {
              type: 'Readiness'
              httpGet: { path: '/readyz', port: 8080 }
              periodSeconds: 10
            }
          ]
          volumeMounts: appMounts
        }
      ]
      scale: { minReplicas: minReplicas, maxReplicas: max(minReplicas, 4) }
      volumes: appVolumes
    }
  }
  dependsOn: [vaultReader, database, environmentStorage, postgresKeepaliveCount]
}

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: 'bot-${namePrefix}-${suffix}'
  location: 'global'
  kind: 'azurebot'
  sku: { name: 'S1' }
  properties: {
    displayName: 'confbot'
    endpoint: 'https://${host}/api/messages'
    msaAppId: botAppId
    msaAppType: 'SingleTenant'
    msaAppTenantId: tenantId
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: { isEnabled: true, acceptedTerms: true }
  }
}

resource botDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: bot
  properties: {
    workspaceId: logs.id
    logs: [ { categoryGroup: 'allLogs', enabled: true } ]
  }
}

resource vaultDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: vault
  properties: {
    workspaceId: logs.id
    logs: [ { categoryGroup: 'audit', enabled: true } ]
  }
}

resource postgresDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: postgres
  properties: {
    workspaceId: logs.id
    logs: [ { categoryGroup: 'allLogs', enabled: true } ]
  }
}

@description('The address to give the Teams app package: confbot teams package --host <this>.')
output publicHost string = host

@description('Client id of the managed identity (for Graph, when graphUsesManagedIdentity).')
output managedIdentityClientId string = identity.properties.clientId

@description('Principal id to grant Graph application permissions to, when using the managed identity.')
output managedIdentityPrincipalId string = identity.properties.principalId

output keyVaultName string = vault.name
