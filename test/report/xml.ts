/**
 * A small XML well-formedness check for the report's SVG fragments (Node has no XML parser):
 * matched and properly nested tags, quoted and unique attributes, only XML's predefined or numeric
 * entities, no raw `<` or `&` in text or attribute values, no comments/PIs/CDATA (the report
 * writes none). Returns the problems found (empty when well-formed) and element counts by name.
 */
export interface XmlCheck {
  errors: string[]
  counts: Map<string, number>
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9_.:]*/
const ENTITY = /^&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);/

function checkText(s: string, where: string, errors: string[]) {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '<') errors.push(`raw '<' in ${where}`)
    if (s[i] === '&' && !ENTITY.test(s.slice(i))) errors.push(`bad entity in ${where}: ${s.slice(i, i + 12)}`)
  }
}

export function checkXml(xml: string): XmlCheck {
  const errors: string[] = []
  const counts = new Map<string, number>()
  const stack: string[] = []
  let i = 0
  let roots = 0
  while (i < xml.length && errors.length < 20) {
    const lt = xml.indexOf('<', i)
    const textEnd = lt < 0 ? xml.length : lt
    const txt = xml.slice(i, textEnd)
    if (txt.length) {
      checkText(txt, `text at ${i}`, errors)
      if (stack.length === 0 && txt.trim()) errors.push(`text outside the root element at ${i}`)
    }
    if (lt < 0) break
    const gt = xml.indexOf('>', lt)
    if (gt < 0) {
      errors.push(`unterminated tag at ${lt}`)
      break
    }
    // '>' may not appear inside a quoted attribute value in our output; check the tag as a whole.
    const tag = xml.slice(lt + 1, gt)
    i = gt + 1
    if (tag.startsWith('!') || tag.startsWith('?')) {
      errors.push(`unexpected markup declaration at ${lt}: <${tag.slice(0, 20)}`)
      continue
    }
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim()
      const open = stack.pop()
      if (open !== name) errors.push(`</${name}> at ${lt} closes <${open ?? 'nothing'}>`)
      continue
    }
    const selfClosing = tag.endsWith('/')
    const body = selfClosing ? tag.slice(0, -1) : tag
    const m = NAME.exec(body)
    if (!m) {
      errors.push(`bad tag name at ${lt}: <${tag.slice(0, 20)}`)
      continue
    }
    const name = m[0]
    if (stack.length === 0 && roots++ > 0) errors.push(`second root element <${name}> at ${lt}`)
    counts.set(name, (counts.get(name) ?? 0) + 1)
    let rest = body.slice(name.length)
    const seen = new Set<string>()
    while (rest.trim().length) {
      const a = /^\s+([A-Za-z_:][-A-Za-z0-9_.:]*)\s*=\s*("([^"]*)"|'([^']*)')/.exec(rest)
      if (!a) {
        errors.push(`bad attribute syntax in <${name}> at ${lt}: ${rest.slice(0, 30)}`)
        break
      }
      if (seen.has(a[1])) errors.push(`duplicate attribute ${a[1]} in <${name}> at ${lt}`)
      seen.add(a[1])
      checkText(a[3] ?? a[4] ?? '', `attribute ${a[1]} of <${name}> at ${lt}`, errors)
      rest = rest.slice(a[0].length)
    }
    if (!selfClosing) stack.push(name)
  }
  if (stack.length) errors.push(`unclosed elements: ${stack.join(' > ')}`)
  if (roots === 0) errors.push('no root element')
  return { errors, counts }
}

/** Every `<svg …>…</svg>` fragment of a page (the report never nests them). */
export function svgFragments(html: string): { id: string; xml: string }[] {
  return [...html.matchAll(/<svg\b[^>]*>[\s\S]*?<\/svg>/g)].map((m) => ({ id: /\bid="([^"]*)"/.exec(m[0])?.[1] ?? '', xml: m[0] }))
}
