export { denseAssignmentProblem, evaluateAssignment, type AssignmentProblem, type AssignmentSolution } from './problem.js'
export { solveCapacitatedAssignment, type AssignOptions } from './heuristic.js'
export { assignmentLp, gapAssignmentProblem, gapCost, parseOrLibraryGap, solveGap, type GapInstance, type GapResult } from './gap.js'
