"""Rule `claims`: merge every experiment's claims into claims.{parquet,md,html}."""

from fprinciple import claims, io

with io.logging_to(snakemake.log[0]):
    table = claims.frame(io.concat_parquet(snakemake.input).to_dict("records"))
    io.write_parquet(table, snakemake.output.parquet)
    io.write_text(claims.markdown(table), snakemake.output.md)
    io.write_text(claims.html(table), snakemake.output.html)
