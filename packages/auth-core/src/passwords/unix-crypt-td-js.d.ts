// The package ships no types; this is its whole surface as we use it.
declare module 'unix-crypt-td-js' {
  /** Traditional DES crypt(3): 2-character salt + 11 characters of hash. */
  function unixCryptTD(password: string, salt: string): string;
  export default unixCryptTD;
}
