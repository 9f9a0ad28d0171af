;; allow-all: the smallest program the SDK's QuickStart sample and tests deploy with Programs.set_program.
;;
;; It exports `evaluate`, which allows every signature request (returns 0). The chain stores a program's bytes without
;; running or validating them (entropy-core v0.0.10 pallets/programs set_program); the threshold servers evaluate programs
;; when they sign, which this SDK does not do.
;;
;; Assembled with wabt 1.0.39 (npm `wabt`): wat2wasm allow-all.wat -o allow-all.wasm
(module
  (memory (export "memory") 1)
  ;; evaluate(request_ptr, request_len, config_ptr, config_len) -> 0 = allowed
  (func (export "evaluate") (param i32 i32 i32 i32) (result i32)
    i32.const 0))
