/** The same keys as T, any strings: the shape another language must give for Vietnamese's resources. */
export type Widen<T> = { readonly [K in keyof T]: T[K] extends string ? string : Widen<T[K]> };
