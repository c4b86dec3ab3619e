export const PACKAGE_NAME = '@tacos/client';
