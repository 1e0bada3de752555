/** 13800001234 -> 138****1234 (GB/T 35273 style display masking). */
export function maskPhone(phone: string | null | undefined): string | null {
  if (!phone) return null;
  if (phone.length < 7) return '*'.repeat(phone.length);
  return `${phone.slice(0, 3)}****${phone.slice(-4)}`;
}

/** 18-digit resident ID: keep the first 6 (region) and the last 4. */
export function maskIdNumber(id: string | null | undefined): string | null {
  if (!id) return null;
  if (id.length < 10) return '*'.repeat(id.length);
  return `${id.slice(0, 6)}${'*'.repeat(id.length - 10)}${id.slice(-4)}`;
}

/** Keep the surname, mask the rest: 张三丰 -> 张** */
export function maskName(name: string | null | undefined): string | null {
  if (!name) return null;
  return name.slice(0, 1) + '*'.repeat(Math.max(1, name.length - 1));
}
