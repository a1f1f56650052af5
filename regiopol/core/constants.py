"""Facts the layers share. What depends on the data vintage (base year, latest observed year,
census breaks within the series) is not here but read from the tables:
:func:`regiopol.data.vintage`."""

__all__ = ["SEXES", "OLDEST_AGE", "METRIC_CRS", "GERMANY", "CENSUS_YEARS"]

SEXES = ("m", "w")  # as in population_by_age
OLDEST_AGE = 100  # single years of age 0–100; 100 stands for "100 and over"
METRIC_CRS = "EPSG:25832"  # ETRS89 / UTM 32N: metres, covers Germany
GERMANY = "DG"  # the code official tables (GENESIS, INKAR) use for Deutschland
CENSUS_YEARS = (1987, 2011, 2022)  # censuses whose results re-base the population figures
