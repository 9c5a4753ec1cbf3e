/**
 * The device code in large letters: a 5x5 pixel font drawn with half blocks, so each letter is five
 * columns by three rows and its pixels are about square. Only what user codes are made of (A-Z, 0-9
 * and '-'); anything else returns undefined and the caller shows the code as plain text only.
 */
import {halfBlock} from './half-block.js'

const FONT: Record<string, string> = {
  '-': '..... ..... .###. ..... .....',
  '0': '.###. #..## #.#.# ##..# .###.',
  '1': '..#.. .##.. ..#.. ..#.. .###.',
  '2': '.###. #...# ..##. .#... #####',
  '3': '####. ....# .###. ....# ####.',
  '4': '#..#. #..#. ##### ...#. ...#.',
  '5': '##### #.... ####. ....# ####.',
  '6': '.###. #.... ####. #...# .###.',
  '7': '##### ....# ...#. ..#.. ..#..',
  '8': '.###. #...# .###. #...# .###.',
  '9': '.###. #...# .#### ....# .###.',
  A: '.###. #...# ##### #...# #...#',
  B: '####. #...# ####. #...# ####.',
  C: '.#### #.... #.... #.... .####',
  D: '####. #...# #...# #...# ####.',
  E: '##### #.... ####. #.... #####',
  F: '##### #.... ####. #.... #....',
  G: '.#### #.... #..## #...# .####',
  H: '#...# #...# ##### #...# #...#',
  I: '##### ..#.. ..#.. ..#.. #####',
  J: '..### ....# ....# #...# .###.',
  K: '#...# #..#. ###.. #..#. #...#',
  L: '#.... #.... #.... #.... #####',
  M: '#...# ##.## #.#.# #...# #...#',
  N: '#...# ##..# #.#.# #..## #...#',
  O: '.###. #...# #...# #...# .###.',
  P: '####. #...# ####. #.... #....',
  Q: '.###. #...# #.#.# #..#. .##.#',
  R: '####. #...# ####. #..#. #...#',
  S: '.#### #.... .###. ....# ####.',
  T: '##### ..#.. ..#.. ..#.. ..#..',
  U: '#...# #...# #...# #...# .###.',
  V: '#...# #...# #...# .#.#. ..#..',
  W: '#...# #...# #.#.# ##.## #...#',
  X: '#...# .#.#. ..#.. .#.#. #...#',
  Y: '#...# .#.#. ..#.. ..#.. ..#..',
  Z: '##### ...#. ..#.. .#... #####',
}

const GLYPH_WIDTH = 5
const GAP = 1

/** Columns that `bigText(text)` needs. */
export function bigTextWidth(text: string): number {
  return text.length * (GLYPH_WIDTH + GAP) - GAP
}

/** Three lines of half blocks spelling `text`, or undefined when a character has no glyph. */
export function bigText(text: string): string[] | undefined {
  const glyphs = [...text.toUpperCase()].map((char) => FONT[char]?.split(' '))
  if (glyphs.length === 0 || glyphs.some((glyph) => !glyph)) return undefined
  const lines: string[] = []
  for (let top = 0; top < 5; top += 2) {
    const line = (glyphs as string[][]).map((glyph) => {
      let cells = ''
      for (let x = 0; x < GLYPH_WIDTH; x++) cells += halfBlock(glyph[top][x] === '#', glyph[top + 1]?.[x] === '#')
      return cells
    })
    lines.push(line.join(' '.repeat(GAP)))
  }

  return lines
}
