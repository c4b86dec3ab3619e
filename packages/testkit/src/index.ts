export const PACKAGE_NAME = '@tacos/testkit';
