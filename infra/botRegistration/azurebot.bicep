// The Azure Bot: Nedbrud's registration with the Bot Framework, single tenant through the
// user-assigned managed identity (UserAssignedMSI), with the Teams channel on.

@maxLength(20)
@minLength(4)
param resourceBaseName string

@description('Name of the Azure Bot resource (default: resourceBaseName)')
param botServiceName string = resourceBaseName

@maxLength(42)
param botDisplayName string

@description('F0 (free) covers Teams messages; S1 only matters for premium channels')
param botServiceSku string = 'F0'

param identityResourceId string
param identityClientId string
param identityTenantId string

@description('Host name of the web app that serves /api/messages')
param botAppDomain string

resource botService 'Microsoft.BotService/botServices@2022-09-15' = {
  kind: 'azurebot'
  location: 'global'
  name: botServiceName
  sku: {
    name: botServiceSku
  }
  properties: {
    displayName: botDisplayName
    endpoint: 'https://${botAppDomain}/api/messages'
    msaAppId: identityClientId
    msaAppMSIResourceId: identityResourceId
    msaAppTenantId: identityTenantId
    msaAppType: 'UserAssignedMSI'
  }
}

resource botServiceMsTeamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: botService
  location: 'global'
  name: 'MsTeamsChannel'
  properties: {
    channelName: 'MsTeamsChannel'
  }
}
