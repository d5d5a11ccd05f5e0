// The package ships no types; this is its whole surface as we use it.
declare module 'apache-md5' {
  /** md5-crypt: `salt` is a whole `$1$salt$...` or `$apr1$salt$...` string; returns the same form. */
  function apacheMd5(password: string, salt: string): string;
  export default apacheMd5;
}
