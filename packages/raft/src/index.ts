export const PACKAGE_NAME = '@tacos/raft';
