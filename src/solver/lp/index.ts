export { LpBuilder, lpModelIssues, validateLpModel, objectiveValue, rowActivities, relaxation, isMip, nonzeros, type LpModel, type LpSense, type ColumnSpec } from './model.js'
export { DEFAULT_MIP_GAP, DEFAULT_TIME_LIMIT_MS, type LpBackend, type LpConflict, type LpIncumbent, type LpInfeasible, type LpOptimal, type LpProgress, type LpResult, type LpSolveOptions, type LpStatus, type LpTimeLimit, type LpUnbounded } from './port.js'
export { checkSolution, lagrangianBound, solveLp, verifyLpResult, type CheckedLpResult, type LpVerification, type SolutionCheck, type VerifyOptions } from './verify.js'
export { deletionFilter, describeRow, rowBoundConflicts } from './explain.js'
