import { createHash } from 'node:crypto';
import type { PortraitRequest } from '../../domain/media/avatar-views.js';

/**
 * Draws the stylised placeholder portrait for a companion without a picture: a head-and-shoulders figure on a
 * gradient. It is not a likeness; it gives each companion a stable, recognisable image until a real one exists.
 * Every choice comes from a hash of the request, so the same companion always gets the same bytes.
 */

const SKIN_TONES = ['#f7dcc8', '#eec3a2', '#dfab85', '#c98f68', '#ad744f', '#8f5a3b', '#714430', '#52301f'] as const;
const HAIR_COLOURS = ['#16120f', '#2f2119', '#4e3426', '#7a4f2c', '#a8773f', '#d3b37a', '#8c8c8c', '#9c3a1f'] as const;

function digest(...parts: readonly string[]): Buffer {
  return createHash('sha256').update(JSON.stringify(parts)).digest();
}

function pick<T>(list: readonly T[], byte: number): T {
  return list[byte % list.length]!;
}

function hsl(hue: number, saturation: number, lightness: number): string {
  return `hsl(${Math.round(hue)}, ${saturation}%, ${lightness}%)`;
}

export interface PortraitFeatures {
  readonly skin: string;
  readonly hair: string;
  readonly clothing: string;
  readonly background: readonly [string, string];
  readonly hairStyle: 'short' | 'long' | 'medium';
  readonly glasses: boolean;
  readonly beard: boolean;
}

/** The figure's features: ethnicity picks the skin tone family, gender the hair style, the description extras. */
export function portraitFeatures(request: PortraitRequest): PortraitFeatures {
  const all = digest(request.seed, request.description, request.gender ?? '', request.ethnicity ?? '');
  const ethnicityByte = digest(request.ethnicity ?? '')[0]!;
  // The seed moves the tone by at most one step, so companions of one ethnicity are not all identical.
  const toneIndex = Math.min(SKIN_TONES.length - 1, Math.max(0, (ethnicityByte % SKIN_TONES.length) + ((all[0]! % 3) - 1)));
  const description = request.description.toLowerCase();
  const hue = (all[1]! / 255) * 360;
  return {
    skin: SKIN_TONES[toneIndex]!,
    hair: pick(HAIR_COLOURS, all[2]!),
    clothing: hsl((all[3]! / 255) * 360, 45, 35),
    background: [hsl(hue, 55, 72), hsl((hue + 40 + (all[4]! % 60)) % 360, 50, 45)],
    hairStyle: request.gender === 'female' ? 'long' : request.gender === 'male' ? 'short' : 'medium',
    glasses: /\b(glasses|spectacles|eyewear)\b/.test(description),
    beard: /\b(beard|bearded)\b/.test(description),
  };
}

export function portraitSvg(features: PortraitFeatures, width: number, height: number): string {
  const { skin, hair, clothing, background } = features;
  const hairBehind =
    features.hairStyle === 'long'
      ? `<ellipse cx="960" cy="500" rx="205" ry="300" fill="${hair}"/>`
      : features.hairStyle === 'medium'
        ? `<ellipse cx="960" cy="440" rx="195" ry="220" fill="${hair}"/>`
        : '';
  const hairTop = `<path d="M 805 440 Q 795 215 960 215 Q 1125 215 1115 440 Q 1090 320 960 305 Q 830 320 805 440 Z" fill="${hair}"/>`;
  const beard = features.beard
    ? `<path d="M 820 470 Q 830 640 960 650 Q 1090 640 1100 470 Q 1060 560 960 565 Q 860 560 820 470 Z" fill="${hair}"/>`
    : '';
  const glasses = features.glasses
    ? `<g fill="none" stroke="#222" stroke-width="8"><rect x="860" y="395" width="90" height="70" rx="22"/><rect x="970" y="395" width="90" height="70" rx="22"/><path d="M 950 425 L 970 425"/></g>`
    : '';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 1920 1080">`,
    `<defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${background[0]}"/><stop offset="1" stop-color="${background[1]}"/></linearGradient></defs>`,
    `<rect width="1920" height="1080" fill="url(#bg)"/>`,
    hairBehind,
    `<ellipse cx="960" cy="1160" rx="440" ry="390" fill="${clothing}"/>`,
    `<rect x="905" y="560" width="110" height="240" rx="40" fill="${skin}"/>`,
    `<ellipse cx="960" cy="440" rx="150" ry="190" fill="${skin}"/>`,
    hairTop,
    beard,
    `<g fill="#2a1d17"><ellipse cx="905" cy="430" rx="13" ry="15"/><ellipse cx="1015" cy="430" rx="13" ry="15"/></g>`,
    `<g fill="none" stroke="#2a1d17" stroke-width="7" stroke-linecap="round"><path d="M 880 395 Q 905 383 930 393"/><path d="M 990 393 Q 1015 383 1040 395"/></g>`,
    `<path d="M 918 530 Q 960 558 1002 530" fill="none" stroke="#8a3b34" stroke-width="8" stroke-linecap="round"/>`,
    glasses,
    `</svg>`,
  ].join('');
}
