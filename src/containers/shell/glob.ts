// Shell patterns (*, ?, [...]) as regular expressions, for case, ${x#pat} and pathname expansion.
export function globToRegExp(pattern: string, pathname: boolean): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') re += pathname ? '[^/]*' : '[\\s\\S]*';
    else if (c === '?') re += pathname ? '[^/]' : '[\\s\\S]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let body = pattern.slice(i + 1, end);
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < pattern.length) re += `\\${pattern[++i]}`;
    else re += c.replace(/[.+^${}()|\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export function hasGlob(s: string): boolean {
  return /[*?[]/.test(s);
}
