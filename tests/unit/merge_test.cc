// Tests for the record-level three-way merge and diff (include/textdb/merge.h,
// format-spec/merge.md).
#include "textdb/merge.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <random>

namespace textdb {
namespace {

using ::testing::HasSubstr;

constexpr char kSchema[] =
    "Table: people\n"
    "Key: Name\n"
    "\n"
    "Field: Name\n"
    "\n"
    "Field: Age\n"
    "Type: integer\n";

constexpr char kBase[] =
    "# People.\n"
    "\n"
    "Name: ann\n"
    "Age: 30\n"
    "City: Oslo\n"
    "\n"
    "# Bob moved twice.\n"
    "Name: bob\n"
    "Age:  40\n"
    "City: Rome\n"
    "\n"
    "Name: cy\n"
    "Age: 50\n";

class MergeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<Schema> schema = ParseSchema(kSchema, "schema.deb822");
    ASSERT_TRUE(schema.ok()) << schema.status().ToString();
    keys_ = KeysOf(*schema);
  }

  MergeResult Merge(std::string_view base, std::string_view ours, std::string_view theirs) {
    MergeOptions options;
    options.file_name = "people/all.deb822";
    Result<MergeResult> result = MergeRecords(base, ours, theirs, keys_, options);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? *result : MergeResult{};
  }

  // `text` with the first occurrence of `from` replaced by `to`.
  static std::string Edit(std::string text, std::string_view from, std::string_view to) {
    const std::size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return text.replace(at, from.size(), to);
  }

  RecordKeys keys_;
};

TEST_F(MergeTest, M010_ChangesToDifferentRecordsMerge) {
  const std::string ours = Edit(kBase, "Age: 30", "Age: 31");
  const std::string theirs = Edit(kBase, "Age: 50", "Age: 51");
  const MergeResult merged = Merge(kBase, ours, theirs);
  EXPECT_EQ(merged.conflicts, 0);
  EXPECT_EQ(merged.text, Edit(ours, "Age: 50", "Age: 51"));  // everything else byte for byte
}

TEST_F(MergeTest, M010_ChangesToDifferentFieldsOfOneRecordMerge) {
  const std::string ours = Edit(kBase, "Age:  40", "Age:  41");
  const std::string theirs = Edit(kBase, "City: Rome", "City: Paris");
  const MergeResult merged = Merge(kBase, ours, theirs);
  EXPECT_EQ(merged.conflicts, 0);
  EXPECT_EQ(merged.text, Edit(ours, "City: Rome", "City: Paris"));
}

TEST_F(MergeTest, M010_TheSameChangeOnBothSidesMerges) {
  const std::string both = Edit(kBase, "City: Oslo", "City: Bergen");
  const MergeResult merged = Merge(kBase, both, both);
  EXPECT_EQ(merged.conflicts, 0);
  EXPECT_EQ(merged.text, both);
}

TEST_F(MergeTest, M012_TheSameFieldChangedTwoWaysConflictsOnThatFieldOnly) {
  const std::string ours = Edit(kBase, "City: Rome", "City: Paris");
  const std::string theirs = Edit(Edit(kBase, "City: Rome", "City: Lima"), "Age: 50", "Age: 51");
  const MergeResult merged = Merge(kBase, ours, theirs);
  EXPECT_EQ(merged.conflicts, 1);
  EXPECT_EQ(merged.text,
            "# People.\n"
            "\n"
            "Name: ann\n"
            "Age: 30\n"
            "City: Oslo\n"
            "\n"
            "# Bob moved twice.\n"
            "Name: bob\n"
            "Age:  40\n"
            "<<<<<<< ours\n"
            "City: Paris\n"
            "=======\n"
            "City: Lima\n"
            ">>>>>>> theirs\n"
            "\n"
            "Name: cy\n"
            "Age: 51\n");
  // The result does not parse: the markers are reported as such [F-026].
  Result<deb822::Document> parsed = deb822::Parse(merged.text);
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(parsed.status().message(), HasSubstr("10:1: error: unresolved merge conflict"));
}

TEST_F(MergeTest, M012_AFieldRemovedOnOneSideAndChangedOnTheOther) {
  const std::string ours = Edit(kBase, "City: Oslo\n", "");
  const std::string theirs = Edit(kBase, "City: Oslo", "City: Bergen");
  const MergeResult merged = Merge(kBase, ours, theirs);
  EXPECT_EQ(merged.conflicts, 1);
  EXPECT_THAT(merged.text,
              HasSubstr("Age: 30\n<<<<<<< ours\n=======\nCity: Bergen\n>>>>>>> theirs\n"));
}

TEST_F(MergeTest, M013_RecordsAddedOnBothSides) {
  const std::string added = std::string(kBase) + "\nName: dee\nAge: 20\n";
  EXPECT_EQ(Merge(kBase, added, added).conflicts, 0);
  EXPECT_EQ(Merge(kBase, added, added).text, added);
  const std::string other = std::string(kBase) + "\nName: dee\nAge: 21\nCity: Kyiv\n";
  const MergeResult merged = Merge(kBase, added, other);
  EXPECT_EQ(merged.conflicts, 2);  // Age differs; City only one side has
  EXPECT_THAT(merged.text, HasSubstr("Name: dee\n"
                                     "<<<<<<< ours\nAge: 20\n=======\nAge: 21\n>>>>>>> theirs\n"
                                     "<<<<<<< ours\n=======\nCity: Kyiv\n>>>>>>> theirs\n"));
}

TEST_F(MergeTest, M015_RecordsAddedByTheirsGoToTheirPlaceInKeyOrder) {
  const std::string theirs =
      Edit(kBase, "# Bob moved twice.\n", "Name: bo\nAge: 9\n\n# Bob moved twice.\n");
  const std::string ours = Edit(kBase, "Age: 30", "Age: 31");
  const MergeResult merged = Merge(kBase, ours, theirs);
  EXPECT_EQ(merged.conflicts, 0);
  EXPECT_EQ(merged.text, Edit(theirs, "Age: 30", "Age: 31"));
}

TEST_F(MergeTest, M014_RemovedRecords) {
  const std::string without_ann = Edit(kBase, "Name: ann\nAge: 30\nCity: Oslo\n\n", "");
  // Removed on one side, untouched on the other: removed.
  MergeResult merged = Merge(kBase, kBase, without_ann);
  EXPECT_EQ(merged.conflicts, 0);
  EXPECT_EQ(merged.text, without_ann);
  merged = Merge(kBase, without_ann, kBase);
  EXPECT_EQ(merged.conflicts, 0);
  EXPECT_EQ(merged.text, without_ann);
  // Removed on one side, changed on the other: the whole record conflicts.
  merged = Merge(kBase, Edit(kBase, "Age: 30", "Age: 31"), without_ann);
  EXPECT_EQ(merged.conflicts, 1);
  EXPECT_THAT(merged.text, HasSubstr("<<<<<<< ours\nName: ann\nAge: 31\nCity: Oslo\n=======\n"
                                     ">>>>>>> theirs\n"));
  merged = Merge(kBase, without_ann, Edit(kBase, "Age: 30", "Age: 31"));
  EXPECT_EQ(merged.conflicts, 1);
  EXPECT_THAT(merged.text, HasSubstr("<<<<<<< ours\n=======\nName: ann\nAge: 31\nCity: Oslo\n"
                                     ">>>>>>> theirs\n"));
}

TEST_F(MergeTest, M020_CommentParagraphsMergeLikeValues) {
  const std::string theirs = Edit(kBase, "# Bob moved twice.", "# Bob moved three times.");
  const std::string ours = Edit(kBase, "City: Oslo", "City: Bergen");
  MergeResult merged = Merge(kBase, ours, theirs);
  EXPECT_EQ(merged.conflicts, 0);
  EXPECT_EQ(merged.text, Edit(ours, "# Bob moved twice.", "# Bob moved three times."));
  merged = Merge(kBase, ours, Edit(kBase, "# People.", "# Persons."));
  EXPECT_EQ(merged.conflicts, 0);
  EXPECT_EQ(merged.text, Edit(ours, "# People.", "# Persons."));
  merged =
      Merge(kBase, Edit(kBase, "# People.", "# Persons."), Edit(kBase, "# People.", "# Folk."));
  EXPECT_EQ(merged.conflicts, 1);
  EXPECT_THAT(merged.text,
              HasSubstr("<<<<<<< ours\n# Persons.\n=======\n# Folk.\n>>>>>>> theirs\n"));
}

TEST_F(MergeTest, M002_VersionsThatDoNotParseOrRepeatAKeyAreRefused) {
  MergeOptions options;
  options.file_name = "people/all.deb822";
  Result<MergeResult> result =
      MergeRecords(kBase, std::string(kBase) + "broken\n", kBase, keys_, options);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.status().message(), HasSubstr("people/all.deb822 (ours):14:1: error:"));
  result = MergeRecords(kBase, kBase, std::string(kBase) + "\nName: ann\n", keys_, options);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.status().message(),
              HasSubstr("people/all.deb822 (theirs):15:1: error: record 'ann' appears twice "
                        "(also at line 3)"));
  result = MergeRecords(kBase, kBase, "Age: 3\n", keys_, options);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.status().message(), HasSubstr("(theirs):1:1: error:"));
}

TEST_F(MergeTest, M030_SchemaFilesMergeByFieldStanza) {
  const std::string base = kSchema;
  const std::string ours = base + "\nField: City\n";
  const std::string theirs = Edit(base, "Type: integer", "Type: integer\nMandatory: yes");
  MergeOptions options;
  Result<MergeResult> merged = MergeRecords(base, ours, theirs, SchemaFileKeys(), options);
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_EQ(merged->conflicts, 0);
  EXPECT_EQ(merged->text, Edit(ours, "Type: integer", "Type: integer\nMandatory: yes"));
}

// Random edits of disjoint records on both sides always merge cleanly to the records a model
// expects, and merging with an unchanged side gives the other side back byte for byte.
TEST_F(MergeTest, M010_RandomDisjointEditsMergeToTheModel) {
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::map<std::string, std::map<std::string, std::string>> model;
    std::string base;
    const int n = 1 + static_cast<int>(rng() % 8);
    for (int i = 0; i < n; ++i) {
      const std::string name = "k" + std::to_string(i);
      model[name] = {{"Name", name}, {"Age", std::to_string(rng() % 90)}, {"City", "c"}};
      base += (i ? "\n" : "") + std::string("Name: ") + name + "\nAge: " + model[name]["Age"] +
              "\nCity: c\n";
    }
    // Each record is edited by at most one side: changed, removed, or left alone.
    const auto side = [&](int which, std::map<std::string, std::map<std::string, std::string>>* m) {
      auto doc = deb822::Parse(base);
      std::vector<bool> erase(doc->stanzas().size(), false);
      for (std::size_t i = 0; i < doc->stanzas().size(); ++i) {
        const std::string name(*doc->stanzas()[i].Get("Name"));
        if (static_cast<int>(i % 2) != which) continue;
        switch (rng() % 3) {
          case 0: {
            const std::string age = std::to_string(100 + rng() % 100);
            EXPECT_TRUE(doc->stanza(i).SetRaw("Age", age).ok());
            (*m)[name]["Age"] = age;
            break;
          }
          case 1:
            erase[i] = true;
            m->erase(name);
            break;
          default:
            break;
        }
      }
      std::vector<std::pair<std::size_t, deb822::Stanza>> inserts;
      doc->Edit(erase, std::move(inserts));
      return doc->Write();
    };
    const std::string ours = side(0, &model);
    const std::string theirs = side(1, &model);
    SCOPED_TRACE(base + "--- ours\n" + ours + "--- theirs\n" + theirs);
    const MergeResult merged = Merge(base, ours, theirs);
    EXPECT_EQ(merged.conflicts, 0);
    auto doc = deb822::Parse(merged.text);
    ASSERT_TRUE(doc.ok()) << doc.status().ToString() << "\n" << merged.text;
    std::map<std::string, std::map<std::string, std::string>> got;
    for (const deb822::Stanza& stanza : doc->stanzas()) {
      auto& fields = got[std::string(*stanza.Get("Name"))];
      for (const deb822::Field& field : stanza.fields()) {
        fields[std::string(field.name())] = std::string(field.value());
      }
    }
    EXPECT_EQ(got, model);
    EXPECT_EQ(Merge(base, ours, base).text, ours);
    EXPECT_EQ(Merge(base, base, theirs).text, theirs);
  }
}

TEST_F(MergeTest, M040_DiffReportsRecordsAndFields) {
  const std::string after = Edit(
      Edit(Edit(kBase, "Name: ann\nAge: 30\nCity: Oslo\n\n", ""), "City: Rome\n", "Pet: cat\n"),
      "Age: 50", "Age: 51\n\nName: dee");
  Result<std::vector<RecordChange>> diff = DiffRecords(kBase, after, keys_, "people/all.deb822");
  ASSERT_TRUE(diff.ok()) << diff.status().ToString();
  ASSERT_EQ(diff->size(), 4u);
  EXPECT_EQ((*diff)[0].kind, RecordChange::Kind::kRemoved);
  EXPECT_EQ((*diff)[0].key, "ann");
  EXPECT_EQ((*diff)[1].kind, RecordChange::Kind::kChanged);
  EXPECT_EQ((*diff)[1].key, "bob");
  ASSERT_EQ((*diff)[1].fields.size(), 2u);
  EXPECT_EQ((*diff)[1].fields[0].field, "Pet");
  EXPECT_EQ((*diff)[1].fields[0].old_value, std::nullopt);
  EXPECT_EQ((*diff)[1].fields[0].new_value, "cat");
  EXPECT_EQ((*diff)[1].fields[1].field, "City");
  EXPECT_EQ((*diff)[1].fields[1].old_value, "Rome");
  EXPECT_EQ((*diff)[1].fields[1].new_value, std::nullopt);
  EXPECT_EQ((*diff)[2].key, "cy");
  EXPECT_EQ((*diff)[2].fields[0].old_value, "50");
  EXPECT_EQ((*diff)[2].fields[0].new_value, "51");
  EXPECT_EQ((*diff)[3].kind, RecordChange::Kind::kAdded);
  EXPECT_EQ((*diff)[3].key, "dee");
  EXPECT_THAT(*DiffRecords(kBase, kBase, keys_, "x"), ::testing::IsEmpty());
}

}  // namespace
}  // namespace textdb
