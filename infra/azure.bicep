// Nedbrud in Azure, deployed by the Microsoft 365 Agents Toolkit (m365agents.yml, arm/deploy):
// App Service on Linux (Node 22 LTS, always on, health check on /readyz, the start command
// with the heap cap of `npm start`), a user-assigned managed identity as the bot's identity
// (MicrosoftAppType=UserAssignedMSI, no secret), the Azure Bot (single tenant, Teams channel)
// and a Storage account with the container for STORAGE=blob.
// The outputs are written to env/.env.<environment> by the toolkit.

@maxLength(20)
@minLength(4)
@description('Start of every resource name, e.g. nedbrud or nedbrudtest')
param resourceBaseName string

@description('App Service plan: B1 is enough for one municipality (bench/results.md); P0v3 for zone redundancy')
param webAppSKU string = 'B1'

@maxLength(42)
param botDisplayName string = 'Nedbrud'

param location string = resourceGroup().location

@description('Heap cap in MB for node --max-old-space-size, as `npm start` (README "Deploying")')
param heapMb int = 224

@description('The Nexusteam\'s Entra object ids, comma-separated (NEXUSTEAM_IDS)')
param nexusteamIds string = ''

param mailFrom string = ''
param mailToAllUsers string = ''
param mailToProviders string = ''

@description('Blob container for the bot\'s state (BLOB_CONTAINER)')
param blobContainer string = 'nedbrud'

// Unique per resource group: App Service and Storage names are global.
var unique = take(uniqueString(resourceGroup().id), 6)
var appName = '${resourceBaseName}-${unique}'
var storageName = take(toLower(replace('${resourceBaseName}${uniqueString(resourceGroup().id)}', '-', '')), 24)

// The bot's identity: Teams and the Bot Connector know the bot by this identity's client id.
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: appName
  location: location
}

resource storage 'Microsoft.Storage/storageAccounts@2023-01-01' = {
  name: storageName
  location: location
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-01-01' = {
  parent: storage
  name: 'default'
}

resource container 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-01-01' = {
  parent: blobService
  name: blobContainer
  properties: {
    publicAccess: 'None'
  }
}

resource serverfarm 'Microsoft.Web/serverfarms@2022-09-01' = {
  name: appName
  location: location
  kind: 'linux'
  sku: {
    name: webAppSKU
  }
  properties: {
    reserved: true
  }
}

resource webApp 'Microsoft.Web/sites@2022-09-01' = {
  name: appName
  location: location
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: serverfarm.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      linuxFxVersion: 'NODE|22-lts'
      alwaysOn: true
      healthCheckPath: '/readyz'
      appCommandLine: 'node --max-old-space-size=${heapMb} dist/index.js'
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      http20Enabled: true
    }
  }
}

// The bot's settings (README "Configuration"); the web app's own host name is known only
// after it exists, hence a separate resource.
resource appSettings 'Microsoft.Web/sites/config@2022-09-01' = {
  parent: webApp
  name: 'appsettings'
  properties: {
    WEBSITE_RUN_FROM_PACKAGE: '1'
    SCM_DO_BUILD_DURING_DEPLOYMENT: 'false'
    MicrosoftAppType: 'UserAssignedMSI'
    MicrosoftAppId: identity.properties.clientId
    MicrosoftAppTenantId: identity.properties.tenantId
    PUBLIC_BASE_URL: 'https://${webApp.properties.defaultHostName}'
    DEV_PLAYGROUND: 'false'
    STORAGE: 'blob'
    // The bot's Blob client (config.ts: BLOB_CONNECTION_STRING) takes a connection string today.
    BLOB_CONNECTION_STRING: 'DefaultEndpointsProtocol=https;AccountName=${storage.name};AccountKey=${storage.listKeys().keys[0].value};EndpointSuffix=${environment().suffixes.storage}'
    BLOB_CONTAINER: container.name
    NEXUSTEAM_IDS: nexusteamIds
    MAIL_FROM: mailFrom
    MAIL_TO_ALL_USERS: mailToAllUsers
    MAIL_TO_PROVIDERS: mailToProviders
  }
}

module azureBotRegistration './botRegistration/azurebot.bicep' = {
  name: 'Azure-Bot-registration'
  params: {
    resourceBaseName: resourceBaseName
    botServiceName: appName
    botDisplayName: botDisplayName
    identityResourceId: identity.id
    identityClientId: identity.properties.clientId
    identityTenantId: identity.properties.tenantId
    botAppDomain: webApp.properties.defaultHostName
  }
}

// Written to env/.env.<environment> by the toolkit: the manifest's BOT_ID and PUBLIC_BASE_URL,
// the deploy target.
output BOT_ID string = identity.properties.clientId
output BOT_TENANT_ID string = identity.properties.tenantId
output BOT_DOMAIN string = webApp.properties.defaultHostName
output BOT_AZURE_APP_SERVICE_RESOURCE_ID string = webApp.id
output PUBLIC_BASE_URL string = 'https://${webApp.properties.defaultHostName}'
output BLOB_ACCOUNT_NAME string = storage.name
