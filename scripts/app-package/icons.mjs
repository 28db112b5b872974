// The two Teams icons, rendered from the one SVG kept in appPackage/ and checked the way
// Teams checks them: color 192x192; outline 32x32, white on a transparent background.
// https://learn.microsoft.com/microsoftteams/platform/concepts/build-and-test/apps-package
import { Resvg } from '@resvg/resvg-js';
import { PNG } from 'pngjs';
import { PackageError } from './package-error.mjs';

export const COLOR_ICON_SIZE = 192;
export const OUTLINE_ICON_SIZE = 32;

const BACKGROUND = /<[A-Za-z]+\b[^>]*\bid="background"[^>]*\/>/g;
const OUTLINE_VIEWBOX = /\bdata-outline-viewbox="([^"]+)"/;
const VIEWBOX = /\bviewBox="[^"]+"/;

function render(svg, width) {
  // No text in the icon, so no fonts: the same pixels on every machine.
  return new Resvg(svg, { fitTo: { mode: 'width', value: width }, font: { loadSystemFonts: false } }).render().asPng();
}

/**
 * @param {string} svg the icon source
 * @param {string} source its path, for messages
 * @returns {{ color: Buffer, outline: Buffer }}
 */
export function renderIcons(svg, source) {
  const backgrounds = svg.match(BACKGROUND) ?? [];
  const outlineViewBox = OUTLINE_VIEWBOX.exec(svg)?.[1];
  if (backgrounds.length !== 1 || !outlineViewBox || !VIEWBOX.test(svg)) {
    throw new PackageError(
      'PACKAGE_ICON_SOURCE_INVALID',
      `${source} must have a viewBox, a data-outline-viewbox attribute (the symbol's area, for the outline icon) and exactly one self-closing element with id="background" (left out of the outline icon).`,
    );
  }
  const outlineSvg = svg.replace(BACKGROUND, '').replace(VIEWBOX, `viewBox="${outlineViewBox}"`);
  return { color: render(svg, COLOR_ICON_SIZE), outline: render(outlineSvg, OUTLINE_ICON_SIZE) };
}

function decode(png, name) {
  try {
    return PNG.sync.read(png);
  } catch (error) {
    return { problem: `${name} is not a readable PNG (${error instanceof Error ? error.message : String(error)})` };
  }
}

/**
 * What Teams would refuse in the icons, as sentences (none when they are fine).
 * @param {{ color: Buffer, outline: Buffer }} icons
 * @param {{ color: string, outline: string }} names
 */
export function iconProblems(icons, names) {
  const problems = [];
  const color = decode(icons.color, names.color);
  const outline = decode(icons.outline, names.outline);
  for (const [image, name, size] of [
    [color, names.color, COLOR_ICON_SIZE],
    [outline, names.outline, OUTLINE_ICON_SIZE],
  ]) {
    if ('problem' in image) problems.push(image.problem);
    else if (image.width !== size || image.height !== size) problems.push(`${name} is ${image.width}x${image.height} pixels; Teams wants ${size}x${size}.`);
  }
  if (!('problem' in outline)) {
    let transparent = 0;
    let drawn = 0;
    let coloured = 0;
    for (let i = 0; i < outline.data.length; i += 4) {
      const [r, g, b, a] = outline.data.subarray(i, i + 4);
      if (a === 0) transparent += 1;
      else {
        drawn += 1;
        if (r !== 255 || g !== 255 || b !== 255) coloured += 1;
      }
    }
    if (transparent === 0) problems.push(`${names.outline} has no transparent pixel; the outline icon is white on a transparent background.`);
    if (drawn === 0) problems.push(`${names.outline} is fully transparent; draw the symbol in white.`);
    if (coloured > 0) problems.push(`${names.outline} has ${coloured} pixels that are not white; the outline icon may only use white (with any transparency).`);
  }
  return problems;
}
