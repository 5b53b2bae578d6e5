/** Exact batch-matching algorithms: dense linear assignment and sparse maximum-weight b-matching, each with a verifiable optimality certificate. */
export { solveAssignment, verifyAssignment, type AssignmentResult, type AssignmentCheck, type AssignmentOptions } from './assignment.js'
export { maxWeightBipartiteMatching, verifyMatching, findImprovingCycle, type BipartiteMatchingProblem, type BipartiteMatchingResult, type MatchingOptions, type MatchingCheck } from './min-cost-flow.js'
