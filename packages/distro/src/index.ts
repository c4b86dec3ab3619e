export const PACKAGE_NAME = '@tacos/distro';
