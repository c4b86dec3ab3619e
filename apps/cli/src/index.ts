export const PACKAGE_NAME = '@tacos/cli';
