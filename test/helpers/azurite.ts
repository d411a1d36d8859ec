// Azurite for the tests: the same helper the HTTP bench's scale-out run uses.
export { AZURITE_ACCOUNT, AZURITE_KEY, azuriteConnectionString, startAzurite, type Azurite, type AzuriteOptions } from '../../bench/azurite';
