/**
 * What the capacity plan works with, extracted from a compiled model as dense arrays:
 *  - supply: per office-day the free runs of staff time (working time minus what is already
 *    booked), grouped into skill classes (staff with the same skills among the services that
 *    matter there), with the units each class has;
 *  - demand: cohorts — forecast requests of one service, from one demand group (district and
 *    acceptable offices), arriving on one day.
 * Pure steps over the model; nothing here knows about LPs.
 */
import { getBit } from '../../model/bitset.js'
import type { Model } from '../../model/compile.js'
import { isoWeekday } from '../../model/tz.js'

/** A maximal run of free units of one staff member inside one working segment. */
export interface Run {
  staff: number
  office: number
  day: number
  start: number
  end: number
}

export interface SkillClass {
  /** Services (indices) of the office-day this class can serve. */
  services: number[]
  /** Free units of the class's staff at the office-day. */
  units: number
}

export interface OfficeDay {
  office: number
  day: number
  /** Indices into `Supply.runs`. */
  runs: number[]
  classes: SkillClass[]
  /** Services with demand that the office offers and someone there can serve. */
  services: number[]
  /** Free units at the office-day. */
  units: number
}

export interface Supply {
  runs: Run[]
  officeDays: OfficeDay[]
  /** Index into officeDays per `day * nOffices + office`, or −1. */
  officeDayIndex: Int32Array
}

export interface DemandGroup {
  /** District index (Model.districtIds), or −1 for demand without a district. */
  district: number
  /** Acceptable offices, or null for any office offering the service. */
  offices: number[] | null
  key: string
}

export interface Cohort {
  service: number
  group: number
  /** Arrival day (model day index). */
  day: number
  count: number
}

export interface Demand {
  groups: DemandGroup[]
  cohorts: Cohort[]
  /** Services with any demand in the planning window. */
  services: number[]
}

/** Free runs and skill classes per office-day over days [firstDay, firstDay + days). */
export function extractSupply(m: Model, firstDay: number, days: number, demanded: Set<number>, busy?: (p: number) => ArrayLike<number>): Supply {
  const nO = m.officeIds.length, nS = m.serviceIds.length
  const runs: Run[] = []
  const byOfficeDay = new Map<number, number[]>()
  const lastDay = firstDay + days
  for (const seg of m.segments) {
    if (seg.day < firstDay || seg.day >= lastDay) continue
    const b = busy?.(seg.staff)
    let u = seg.start
    while (u < seg.end) {
      while (u < seg.end && b && getBit(b as Uint32Array, u)) u++
      const a = u
      while (u < seg.end && !(b && getBit(b as Uint32Array, u))) u++
      if (u > a) {
        const key = seg.day * nO + seg.office
        let l = byOfficeDay.get(key)
        if (!l) byOfficeDay.set(key, (l = []))
        l.push(runs.length)
        runs.push({ staff: seg.staff, office: seg.office, day: seg.day, start: a, end: u })
      }
    }
  }
  const officeDays: OfficeDay[] = []
  const officeDayIndex = new Int32Array(m.days * nO).fill(-1)
  for (const key of [...byOfficeDay.keys()].sort((x, y) => x - y)) {
    const runIdx = byOfficeDay.get(key)!
    const office = key % nO, day = (key - office) / nO
    const offered: number[] = []
    for (let s = 0; s < nS; s++) if (m.durationUnits[office * nS + s] > 0 && demanded.has(s)) offered.push(s)
    const classMap = new Map<string, SkillClass>()
    let units = 0
    for (const r of runIdx) {
      const run = runs[r]
      const skills = offered.filter((s) => m.skill[run.staff * nS + s] === 1)
      if (skills.length === 0) continue
      const k = skills.join(',')
      let c = classMap.get(k)
      if (!c) classMap.set(k, (c = { services: skills, units: 0 }))
      c.units += run.end - run.start
      units += run.end - run.start
    }
    const classes = [...classMap.values()]
    const services = offered.filter((s) => classes.some((c) => c.services.includes(s)))
    if (services.length === 0) continue
    officeDayIndex[key] = officeDays.length
    officeDays.push({ office, day, runs: runIdx.filter((r) => offered.some((s) => m.skill[runs[r].staff * nS + s] === 1)), classes, services, units })
  }
  return { runs, officeDays, officeDayIndex }
}

/** Forecast cohorts arriving on days [firstDay, firstDay + days). */
export function extractDemand(m: Model, firstDay: number, days: number): Demand {
  const s = m.scenario
  const districtIndex = new Map(m.districtIds.map((d, i) => [d, i]))
  const groups: DemandGroup[] = []
  const groupIndex = new Map<string, number>()
  const counts = new Map<string, number>()
  const weekdayOf = Array.from({ length: days }, (_, i) => isoWeekday(m.dates[firstDay + i]))
  for (const d of s.demand) {
    if (d.count <= 0) continue
    const service = m.serviceIndex.get(d.service)!
    const offices = d.offices ? [...new Set(d.offices.map((id) => m.officeIndex.get(id)!))].sort((a, b) => a - b) : null
    // Unknown districts (no office there) still count as a district of their own for fairness.
    let district = -1
    if (d.district !== undefined) {
      if (!districtIndex.has(d.district)) districtIndex.set(d.district, districtIndex.size)
      district = districtIndex.get(d.district)!
    }
    const key = `${district}|${offices ? offices.join(',') : '*'}`
    let g = groupIndex.get(key)
    if (g === undefined) {
      groupIndex.set(key, (g = groups.length))
      groups.push({ district, offices, key })
    }
    for (let i = 0; i < days; i++) {
      const date = m.dates[firstDay + i]
      if (d.date !== undefined ? d.date !== date : d.weekday !== weekdayOf[i]) continue
      const ck = `${service}|${g}|${firstDay + i}`
      counts.set(ck, (counts.get(ck) ?? 0) + d.count)
    }
  }
  const cohorts: Cohort[] = []
  for (const [k, count] of counts) {
    const [service, group, day] = k.split('|').map(Number)
    cohorts.push({ service, group, day, count })
  }
  cohorts.sort((a, b) => a.service - b.service || a.group - b.group || a.day - b.day)
  return { groups, cohorts, services: [...new Set(cohorts.map((c) => c.service))].sort((a, b) => a - b) }
}

/** Names of districts including demand-only ones, in index order. */
export function districtNames(m: Model): string[] {
  const names = [...m.districtIds]
  for (const d of m.scenario.demand) if (d.district !== undefined && !names.includes(d.district)) names.push(d.district)
  return names
}
