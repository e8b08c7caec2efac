export * from './vietnamese-keyboard';
