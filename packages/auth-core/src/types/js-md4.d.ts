// js-md4 ships no type declarations; this covers the part auth-core calls.
declare module 'js-md4' {
  interface Md4Hasher {
    update(message: string | ArrayBuffer | Uint8Array | number[]): Md4Hasher;
    digest(): number[];
  }
  interface Md4 {
    create(): Md4Hasher;
  }
  const md4: Md4;
  export default md4;
}
