"""Great Expectations suites (defined in code) and the gate that runs them on the marts."""

import warnings

# GX imports pyspark when it is installed (for the Spark build of the dbt project) but runs
# nothing on it here: pyspark's warning that it does not support pandas 3 yet is noise.
warnings.filterwarnings(
    "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
)
