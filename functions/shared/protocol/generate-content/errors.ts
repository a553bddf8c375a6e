/** generateContent errors: `{error:{code,message,status}}`. */
import { obj, str, type J } from '../json.js';

export const errorMessage = (d: J): string | undefined => str(obj(d.error).message);
