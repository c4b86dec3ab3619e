export const PACKAGE_NAME = '@tacos/core';
