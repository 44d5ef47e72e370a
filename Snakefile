# A prismaflow review folder: the protocol in config/config.yaml, reviewers' files under
# config/, results/ written by the run. The workflow itself is prismaflow's, installed with the
# package: run `snakemake --cores 2` here, or `prismaflow run .`.
from prismaflow.installed import SNAKEFILE


include: str(SNAKEFILE)


# Plain `snakemake` runs the whole review (an included workflow's default target does not carry
# over to the folder that includes it).
rule review:
    default_target: True
    input:
        rules.all.input,
