export { runCli, USAGE } from './run-cli.js';
export { loadConfig, validateConfig, type GatewayConfig } from './config/load.js';
export { configSchema, DEFAULT_LISTENERS, SERVICES, type ListenerConfig } from './config/schema.js';
export { parseAssignments, applyAssignments, type Assignment } from './settings/assignments.js';
export { SETTING_KEYS, type SettingsLevel, type KeySpec } from './settings/setting-keys.js';
export { startGateway, serve, type RunningGateway } from './serve/serve.js';
export { UsageError, CommandError } from './errors.js';
