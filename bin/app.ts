#!/usr/bin/env node
/**
 * The CDK app. Choose the environment with `-c env=<dev|staging|prod>` (default dev):
 *
 *   npx cdk synth -c env=prod
 */
import { App } from 'aws-cdk-lib';
import { loadEnvironmentConfig } from '../lib/config/environments';
import { buildPlatformApp } from '../lib/platform-app';

const app = new App();
const requested: unknown = app.node.tryGetContext('env');
const config = loadEnvironmentConfig(requested === undefined ? undefined : String(requested));
buildPlatformApp(app, config);
app.synth();
