"""Claims and running them: claim files (:mod:`.spec`), the road from a claim to a
verdict (:mod:`.properties`), the runner, certificates, the stage-ablation facts."""
