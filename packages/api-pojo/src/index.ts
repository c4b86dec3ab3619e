export const PACKAGE_NAME = '@tacos/api-pojo';
