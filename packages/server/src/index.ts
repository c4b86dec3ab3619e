export const PACKAGE_NAME = '@tacos/server';
